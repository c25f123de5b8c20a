import { builder } from './builder.js';
import './modules/audit.js';
import './modules/errors.js';
import './modules/identity.js';
import './modules/space.js';
import './modules/node.js';
import './modules/nodes.js';
import './modules/datasheet.js';
import './modules/record.js';
import './modules/record-mutations.js';
import './modules/schema-mutations.js';
import './modules/exports.js';
import './modules/imports.js';
import './modules/subscriptions.js';
import './modules/webhooks.js';

export const schema = builder.toSchema({ sortSchema: true });
