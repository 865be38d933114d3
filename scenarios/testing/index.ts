// The property-testing kit's scenario-level half: arbitraries that build scenario documents and
// invariants over traces. It imports only core/ and scenarios/; cli/kit.ts adds the simulator.
export * from './arbitraries/index.js';
export * from './invariants/index.js';
export { KitError } from './errors.js';
export type { ScenarioDocumentInput, TopologyDocument, LinkDocument, LinkFieldsDocument, EngineDocument, WorkloadDocument, EventDocument } from './document.js';
