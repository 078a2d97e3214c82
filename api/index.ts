/** api/: the GraphQL API, its plugins, and the dashboard routes. */
export { startServer, type RunningServer, type ServerOptions } from './server.js';
export { createGraphQL, type GraphQLOptions } from './yoga.js';
export type { ApiDeps, ApiContext } from './context.js';
export { LIMITS } from './plugins/armor.js';
export { MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from './schema/events.js';
export { loadPersistedOperations } from './persisted-operations.js';
