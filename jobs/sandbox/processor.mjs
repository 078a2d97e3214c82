// Entry of the sandboxed compute processor: BullMQ loads this file in a worker thread. In the
// compiled build (dist/) the processor is JavaScript beside it; from the sources, TypeScript needs
// tsx's loader registered before the processor is imported.
import { existsSync } from 'node:fs';

const compiled = new URL('./sandboxed-processor.js', import.meta.url);
let sandboxedProcessor;
if (existsSync(compiled)) {
  ({ sandboxedProcessor } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ sandboxedProcessor } = await import('./sandboxed-processor.ts'));
}
export default sandboxedProcessor;
