import { Command } from 'commander';

/** `liqmap serve` (placeholder until implemented). */
export function serveCommand(): Command {
  return new Command('serve').description('not implemented yet').action(() => {
    throw new Error('liqmap serve is not implemented yet');
  });
}
