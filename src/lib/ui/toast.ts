// Short, passive confirmations ("Pinned", "Saved"): never the only place an error is shown. The
// toast library loads on first use, so pages that show none do not carry it.
export type ToastKind = 'success' | 'error' | 'info';

export async function toast(message: string, kind: ToastKind = 'info'): Promise<void> {
	const { toast: show } = await import('svelte-sonner');
	if (kind === 'info') show(message);
	else show[kind](message);
}
