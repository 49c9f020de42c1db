// Shared by the open chat and the outbox flush (outbox-flush.ts, loaded on demand), so that the
// chat can mark its uploads without loading the flush.

/**
 * Ids of queued messages whose files an open chat in this tab uploads (with progress on screen):
 * the flush leaves those to it rather than uploading the same bytes twice.
 */
export const uploadingInChat = new Set<string>();
