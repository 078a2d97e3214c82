import { Command } from 'commander';
import { isLiqmapError } from '../base/index.js';
import { EngineError } from '../engine/index.js';
import { startCommand } from './commands/start.js';
import { migrateCommand } from './commands/migrate.js';
import { ingestCommand } from './commands/ingest.js';
import { workCommand } from './commands/work.js';
import { serveCommand } from './commands/serve.js';
import { quoteCommand } from './commands/quote.js';
import { cascadeCommand } from './commands/cascade.js';
import { jobsCommand } from './commands/jobs.js';
import { accuracyCommand } from './commands/accuracy.js';
import { calibrateCommand } from './commands/calibrate.js';

/** Builds the `liqmap` program; one file per command under `cli/commands/`. */
export function buildProgram(): Command {
  const program = new Command('liqmap')
    .description('Liquidation-cluster analytics and indexer for perpetual futures')
    .version('0.1.0')
    .showHelpAfterError();
  for (const make of [startCommand, migrateCommand, ingestCommand, workCommand, serveCommand, quoteCommand, cascadeCommand, accuracyCommand, calibrateCommand, jobsCommand]) {
    program.addCommand(make());
  }
  return program;
}

/** Entry point: runs the program and turns errors into one clear line and an exit code. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (isLiqmapError(e)) {
      process.stderr.write(`liqmap: ${e.code}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (e instanceof EngineError) {
      process.stderr.write(`liqmap: ${e.code}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
