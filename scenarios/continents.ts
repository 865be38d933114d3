// Built-in region matrices for `topology.regions.rtt`.
//
// `continents`: round-trip times (ms) between six continents, each stood for by one well-connected
// city: Europe = London, North America = New York, South America = São Paulo, Asia = Singapore,
// Africa = Johannesburg, Oceania = Sydney; the diagonal is a typical round trip between two cities
// of the same continent. The figures are APPROXIMATE: medians of the kind published city to city by
// WonderNetwork's public ping statistics (https://wondernetwork.com/pings), rounded to 5 ms and
// chosen as plausible orders of magnitude. They were not measured for this project, nor copied from
// a dated snapshot of that data; routes change (new cables), so check the source for current values.
// For comparison, WonderProxy's published 2011 table gives Paris–New York 77 ms and
// Milan–Paris 21 ms (https://wonderproxy.com/blog/miles-per-milisecond/).

/** Region names in matrix order. */
const CONTINENTS = ['europe', 'north-america', 'south-america', 'asia', 'africa', 'oceania'] as const;

/** Round trips (ms), row-major over CONTINENTS; symmetric. */
const CONTINENT_RTT_MS: ReadonlyArray<ReadonlyArray<number>> = [
  //  eu    na    sa    as    af    oc
  [   25,   75,  190,  170,  160,  265], // europe
  [   75,   50,  120,  235,  230,  210], // north-america
  [  190,  120,   60,  330,  340,  310], // south-america
  [  170,  235,  330,   70,  250,   95], // asia
  [  160,  230,  340,  250,   80,  330], // africa
  [  265,  210,  310,   95,  330,   30], // oceania
];

/** A named built-in matrix: region names and symmetric round trips (ms). */
export interface BuiltinRttMatrix {
  readonly names: ReadonlyArray<string>;
  readonly rttMs: ReadonlyArray<ReadonlyArray<number>>;
}

export const BUILTIN_RTT_MATRICES: ReadonlyMap<string, BuiltinRttMatrix> = new Map([['continents', { names: CONTINENTS, rttMs: CONTINENT_RTT_MS }]]);
