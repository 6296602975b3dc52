export { ConveneClient, CloseCodes } from './client.js';
export { ConveneRest } from './rest.js';
export { ConveneError } from './errors.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
