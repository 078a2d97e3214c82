/**
 * `npm run fixture:graph-node [port]`: serves the GMX v2 fixture through the local graph-node
 * stand-in, so the subgraph source can be tried without a real graph-node (see README).
 */
import { FakeGraphNode } from './graph-node-server.js';

const node = await FakeGraphNode.start({ port: Number(process.argv[2] ?? 8000) });
process.stdout.write(`GMX v2 fixture subgraph on ${node.url}\n`);
process.once('SIGINT', () => void node.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void node.close().then(() => process.exit(0)));
