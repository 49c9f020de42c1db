import type { ArchivedReason } from '$lib/schemas/rows';

/** Why a conversation is read-only, for the list and the chat. */
export function archivedText(reason: ArchivedReason | null, otherName: string | null): string {
	const name = otherName ?? 'the other person';
	switch (reason) {
		case 'unlinked':
			return `Read-only: you and ${name} are no longer linked.`;
		case 'trainee_deleted':
		case 'trainer_deleted':
			return `Read-only: ${otherName ? `${otherName}'s` : 'the other'} account was deleted.`;
		default:
			return 'Read-only.';
	}
}
