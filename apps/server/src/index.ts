/**
 * @forge/server: the Forge host. `createServer()` (boot.ts) is the composition root; the `forge`
 * binary (cli.ts) runs it from the command line.
 */
export {
  type CreateServerOptions,
  createServer,
  type ForgeServer,
  SERVER_VERSION,
} from './boot.js'
export { clampReconcileInterval, loadConfig, type ServerConfig } from './config.js'
export { signNotification } from './deploys/notify.js'
export type { ForgeEvent } from './events/bus.js'
export type { LoggerOptions } from './logger.js'
export type { Services } from './services.js'
