import { Command } from 'commander';
import { isLiqmapError } from '../base/index.js';

/**
 * The commands, one file each under `cli/commands/`, by name, each loaded only when wanted: a
 * run of one command loads that command's modules alone (`liqmap ingest` loaded every other
 * command's imports too, ~0.1 s of its start-up), a run without one (help, version) loads all.
 */
const COMMANDS: readonly (readonly [string, () => Promise<Command>])[] = [
  ['start', async () => (await import('./commands/start.js')).startCommand()],
  ['migrate', async () => (await import('./commands/migrate.js')).migrateCommand()],
  ['ingest', async () => (await import('./commands/ingest.js')).ingestCommand()],
  ['work', async () => (await import('./commands/work.js')).workCommand()],
  ['serve', async () => (await import('./commands/serve.js')).serveCommand()],
  ['quote', async () => (await import('./commands/quote.js')).quoteCommand()],
  ['cascade', async () => (await import('./commands/cascade.js')).cascadeCommand()],
  ['accuracy', async () => (await import('./commands/accuracy.js')).accuracyCommand()],
  ['calibrate', async () => (await import('./commands/calibrate.js')).calibrateCommand()],
  ['jobs', async () => (await import('./commands/jobs.js')).jobsCommand()],
];

/**
 * Builds the `liqmap` program: with `only` (a command's name), that command alone; otherwise
 * every command (the help lists them all, an unknown name is told apart from them).
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('liqmap')
    .description('Liquidation-cluster analytics and indexer for perpetual futures')
    .version('0.1.0')
    .showHelpAfterError();
  const wanted = COMMANDS.filter(([name]) => name === only);
  for (const cmd of await Promise.all((wanted.length > 0 ? wanted : COMMANDS).map(([, make]) => make()))) program.addCommand(cmd);
  return program;
}

/** Entry point: runs the program and turns errors into one clear line and an exit code. */
export async function main(argv: string[]): Promise<void> {
  try {
    await (await buildProgram(argv[2])).parseAsync(argv);
  } catch (e) {
    if (isLiqmapError(e)) {
      process.stderr.write(`liqmap: ${e.code}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    // The engine's own error type, from the commands that use it (loaded only then: ~0.1 s).
    if (e instanceof Error && e.name === 'EngineError' && e instanceof (await import('../engine/index.js')).EngineError) {
      process.stderr.write(`liqmap: ${e.code}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
