import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiDeps } from './context.js';
import { heatmapPngRoute } from './render/heatmap-route.js';
import { viridisModule } from './render/viridis.js';
import { bodyOf } from './fetch-body.js';

/** A plain HTTP route beside GraphQL (dashboard, image endpoint), served by api/plugins/routes.ts. */
export type Route = (request: Request) => Promise<Response>;

const DASHBOARD = fileURLToPath(new URL('./dashboard/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** Every file of the dashboard folder (its modules), relative to it with `/` separators. */
function dashboardFiles(): string[] {
  return readdirSync(DASHBOARD, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && TYPES[path.extname(e.name)] !== undefined)
    .map((e) => path.relative(DASHBOARD, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** A static dashboard file, read once and kept. */
function staticFile(name: string, contentType: string): Route {
  let body: Promise<Buffer> | null = null;
  return async () => {
    body ??= readFile(new URL(`./dashboard/${name}`, import.meta.url));
    return new Response(bodyOf(await body), { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-cache' } });
  };
}

/** The non-GraphQL routes: the dashboard (`/` and its modules under `/dashboard/`, public GraphQL only) and `/heatmap.png`. */
export function extraRoutes(deps: ApiDeps): Map<string, Route> & { close(): Promise<void> } {
  const viridis = viridisModule();
  const png = heatmapPngRoute(deps);
  const routes = new Map<string, Route>([
    ['/', staticFile('index.html', TYPES['.html']!)],
    // The dashboard's modules: exactly the files of the folder (listed once), nothing else.
    ...dashboardFiles().map((f): [string, Route] => [`/dashboard/${f}`, staticFile(f, TYPES[path.extname(f)]!)]),
    [
      '/dashboard/viridis.js',
      async () => new Response(viridis, { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' } }),
    ],
    ['/heatmap.png', png],
  ]);
  // The image endpoint's render threads stop with the server.
  return Object.assign(routes, { close: () => png.close() });
}
