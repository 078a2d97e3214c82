import { Command } from 'commander';

/** `liqmap jobs` (placeholder until implemented). */
export function jobsCommand(): Command {
  return new Command('jobs').description('not implemented yet').action(() => {
    throw new Error('liqmap jobs is not implemented yet');
  });
}
