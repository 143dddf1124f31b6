export { createControlPlaneApp, type ReadinessCheck } from './app.js';
