export {
  helpdeskConfigSchema,
  openingHoursSchema,
  WEEKDAYS,
  type HelpdeskConfig,
  type OpeningHoursConfig,
  type Weekday,
} from './config.js';
export { createOpeningHours, type OpeningHours } from './hours.js';
export {
  helpdeskOpen,
  overrideKey,
  readOverride,
  writeOverride,
  type HelpdeskOpenOptions,
  type HelpdeskOverride,
  type HelpdeskState,
  type OverrideRedis,
} from './override.js';
