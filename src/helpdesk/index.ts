export {
  helpdeskConfigSchema,
  openingHoursSchema,
  WEEKDAYS,
  type HelpdeskConfig,
  type OpeningHoursConfig,
  type Weekday,
} from './config.js';
export { createOpeningHours, type OpeningHours } from './hours.js';
