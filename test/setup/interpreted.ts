// Runs the whole suite a second time with interpreted accessors (the CSP-safe path).
import { configure } from '../../src/index.js';

configure({ codegen: 'off' });
