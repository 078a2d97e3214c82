// Entry of a check's worker thread: TypeScript needs tsx's loader registered before the check
// module is imported (as in the BullMQ sandbox).
import { register } from 'tsx/esm/api';

register();
await import('./check-thread.ts');
