import { builder } from './builder.js';
import './modules/space.js';

export const schema = builder.toSchema({ sortSchema: true });
