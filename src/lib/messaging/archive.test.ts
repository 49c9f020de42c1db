import { describe, expect, it } from 'vitest';
import { archivedText } from './archive';

describe('why a conversation is read-only', () => {
	it('names the other person when the pair was unlinked', () => {
		expect(archivedText('unlinked', 'Casey Coach')).toBe(
			'Read-only: you and Casey Coach are no longer linked.'
		);
	});

	it('says an account was deleted, even when its name is gone', () => {
		expect(archivedText('trainee_deleted', 'Alex Rivera')).toBe(
			"Read-only: Alex Rivera's account was deleted."
		);
		expect(archivedText('trainer_deleted', null)).toBe('Read-only: the other account was deleted.');
	});
});
