// Client histories and their checkers.
export { operationsOf, historyEventsOf, historyOf, describeOperation, HISTORY_LOG_TEXT } from './operations.js';
export type { HistoryEvent, Operation, CompletionType } from './operations.js';
export { checkLinearizable } from './linearizability.js';
export type { Model, LinearizabilityOptions, LinearizabilityResult, LinearizabilityCounterexample } from './linearizability.js';
export { registerModel, keyValueModel } from './models.js';
export type { RegisterValue } from './models.js';
export { linearizableHistory, broadcastChecker, gCounterChecker } from './checkers.js';
export type { ModelName } from './checkers.js';
