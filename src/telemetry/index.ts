export { createLogger, PII_KEYS, type Logger } from './logger.js';
export { registry } from './metrics.js';
