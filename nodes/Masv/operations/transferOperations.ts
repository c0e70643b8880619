import type { CustomOperations } from './types';

// Placeholder, filled in by the operations of this file's area.
export const transferOperations: CustomOperations = {};
