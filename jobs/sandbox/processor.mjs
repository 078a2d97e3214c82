// Entry of the sandboxed compute processor: BullMQ loads this file in a worker thread, where
// TypeScript needs tsx's loader registered before the processor is imported.
import { register } from 'tsx/esm/api';

register();
const { sandboxedProcessor } = await import('./sandboxed-processor.ts');
export default sandboxedProcessor;
