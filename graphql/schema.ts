import { builder } from './builder.js';
import './modules/audit.js';
import './modules/errors.js';
import './modules/identity.js';
import './modules/space.js';

export const schema = builder.toSchema({ sortSchema: true });
