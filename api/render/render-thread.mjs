// Entry of a PNG render thread (piscina loads this file). In the compiled build (dist/) the task
// is JavaScript beside it; from the sources, TypeScript needs tsx's loader registered first.
import { existsSync } from 'node:fs';

const compiled = new URL('./render-task.js', import.meta.url);
let task;
if (existsSync(compiled)) {
  ({ default: task } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ default: task } = await import('./render-task.ts'));
}
export default task;
