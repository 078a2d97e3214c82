// Results still being computed (NOT_READY with a job id): say so and ask again shortly.
const RETRY_MS = 3000;

export const notReady = {
  mount(app) {
    let timer = null;
    app.on('error', (e) => {
      if (e.code !== 'NOT_READY') return;
      app.handled = true;
      app.status('loading', `computing${e.extensions.jobId ? ` (job ${e.extensions.jobId})` : ''}: ${e.message}`);
      clearTimeout(timer);
      const gen = app.generation;
      timer = setTimeout(() => gen === app.generation && app.load(), RETRY_MS);
    });
  },
};
