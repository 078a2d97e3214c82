import type { JobProgress } from '../../jobs/index.js';
import type { ApiContext } from '../context.js';
import { exposeUserErrors, userError } from '../errors.js';

/** The `job` query: where a job named by a NOT_READY answer (`extensions.jobId`) is. */
export const jobsTypeDefs = /* GraphQL */ `
  enum JobState {
    "Queued, or waiting for a retry's backoff."
    WAITING
    ACTIVE
    COMPLETED
    FAILED
  }

  "A compute job, as a caller told NOT_READY sees it while it waits for the results."
  type Job {
    id: ID!
    state: JobState!
    "Percent of the job's buckets computed, 0..100."
    progress: Int!
    "Attempts started (a failed attempt is retried with backoff)."
    attempts: Int!
  }

  extend type Query {
    "A compute job by the id a NOT_READY error carried (extensions.jobId); null when unknown or finished and removed (ask for the results again)."
    job(id: ID!): Job
  }
`;

/** BullMQ job ids liqmap makes (compute~…, backfill~…, in-process-N): nothing else is looked up. */
const JOB_ID = /^[A-Za-z0-9~_.:-]{1,200}$/;

/** Resolvers of {@link jobsTypeDefs}. */
export const jobsResolvers = {
  Query: {
    job: exposeUserErrors(async (_: unknown, args: { id: string }, ctx: ApiContext): Promise<(Omit<JobProgress, 'state'> & { state: string }) | null> => {
      if (!JOB_ID.test(args.id)) throw userError('BAD_USER_INPUT', 'id is not a job id (as NOT_READY errors carry in extensions.jobId)');
      const job = (await ctx.jobs?.job?.(args.id)) ?? null;
      return job && { ...job, state: job.state.toUpperCase() };
    }),
  },
};
