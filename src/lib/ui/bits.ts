// The bits-ui parts the chat uses, in a module of their own so they can be loaded on demand
// (src/lib/ui/on-demand.ts): with floating-ui and focus handling they are ~30 kB gzip that the
// first paint of a conversation never needs.
export { AlertDialog, DropdownMenu } from 'bits-ui';
