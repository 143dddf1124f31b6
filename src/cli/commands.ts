import { consoleHashPasswordCommand } from '../console/hash-password-command.js';
import { callbackCommand } from './callback.js';
import { doctorCommand } from './doctor.js';
import {
  helpdeskCloseCommand,
  helpdeskOpenCommand,
  helpdeskResumeCommand,
  helpdeskStatusCommand,
} from '../helpdesk/command.js';
import { messagesListCommand, messagesShowCommand } from './messages.js';
import { privacyEraseCommand, privacyExportCommand } from './privacy.js';
import { provisionApplyCommand, provisionPlanCommand } from './provision.js';
import { runCommand } from './run.js';
import { upCommand } from './up.js';
import type { Command } from './command.js';

export type { Command } from './command.js';

/** Each capability adds its commands here, keyed by the words that invoke them. */
export const commands: Record<string, Command> = {
  up: upCommand,
  run: runCommand,
  doctor: doctorCommand,
  callback: callbackCommand,
  'console hash-password': consoleHashPasswordCommand,
  'messages list': messagesListCommand,
  'messages show': messagesShowCommand,
  'privacy erase': privacyEraseCommand,
  'privacy export': privacyExportCommand,
  'provision plan': provisionPlanCommand,
  'provision apply': provisionApplyCommand,
  'helpdesk close': helpdeskCloseCommand,
  'helpdesk open': helpdeskOpenCommand,
  'helpdesk resume': helpdeskResumeCommand,
  'helpdesk status': helpdeskStatusCommand,
};
