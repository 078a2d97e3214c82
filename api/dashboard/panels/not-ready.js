// Results still being computed (NOT_READY with a job id): show the job's progress, polling the
// `job` query by that id, and load the result once the job is done (or gone: finished and
// removed). Without a job id (nothing will compute it by itself), ask again shortly.
import { gql } from '../lib/api.js';

const POLL_MS = 1000;
const RETRY_MS = 3000;
const JOB = 'query Job($id: ID!) { job(id: $id) { id state progress attempts } }';

export const notReady = {
  mount(app) {
    let timer = null;
    app.on('error', (e) => {
      if (e.code !== 'NOT_READY') return;
      app.handled = true;
      clearTimeout(timer);
      const gen = app.generation;
      const current = () => gen === app.generation;
      const id = e.extensions.jobId;
      if (!id) {
        app.status('loading', `computing: ${e.message}`);
        timer = setTimeout(() => current() && app.load(), RETRY_MS);
        return;
      }
      app.status('loading', `computing (job ${id})…`);
      const poll = async () => {
        if (!current()) return;
        try {
          const { job } = await gql(JOB, { id });
          if (!current()) return;
          if (job?.state === 'FAILED') return app.status('error', `job ${id} failed (attempt ${job.attempts}); it is retried when new data arrives`);
          if (!job || job.state === 'COMPLETED') return app.load();
          app.status('loading', `computing (job ${id}): ${job.state.toLowerCase()}, ${job.progress}%`);
          timer = setTimeout(poll, POLL_MS);
        } catch (err) {
          if (current()) app.status('error', `job ${id}: ${err.message}`);
        }
      };
      timer = setTimeout(poll, POLL_MS);
    });
  },
};
