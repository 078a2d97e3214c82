import { Command } from 'commander';

/** `liqmap cascade` (placeholder until implemented). */
export function cascadeCommand(): Command {
  return new Command('cascade').description('not implemented yet').action(() => {
    throw new Error('liqmap cascade is not implemented yet');
  });
}
