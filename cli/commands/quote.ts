import { Command } from 'commander';

/** `liqmap quote` (placeholder until implemented). */
export function quoteCommand(): Command {
  return new Command('quote').description('not implemented yet').action(() => {
    throw new Error('liqmap quote is not implemented yet');
  });
}
