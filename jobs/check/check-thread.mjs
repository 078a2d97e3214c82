// Entry of a check's worker thread. In a compiled build (tsc's dist/, the bundle) the check is
// JavaScript beside it; from the sources, TypeScript needs tsx's loader registered first (as in
// the BullMQ sandbox).
import { existsSync } from 'node:fs';

const compiled = new URL('./check-thread.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./check-thread.ts');
}
