import { Command } from 'commander';

/** `liqmap work` (placeholder until implemented). */
export function workCommand(): Command {
  return new Command('work').description('not implemented yet').action(() => {
    throw new Error('liqmap work is not implemented yet');
  });
}
