// `netmachine topology FILE`: the generated topology, without running anything.
import type { Command } from 'commander';
import { describeTopology, loadScenario } from '../../scenarios/index.js';
import { table } from '../format.js';
import { addScenarioFlags, scenarioLoadOptions, type ScenarioFlags } from '../scenario-flags.js';

export function configure(command: Command): void {
  addScenarioFlags(command)
    .argument('<file>', 'scenario file')
    .option('--links', 'also list every link')
    .action(async (file: string, flags: ScenarioFlags & { links?: boolean }) => {
      // Modules are read, not run: the topology needs no engine.
      const { plan } = await loadScenario(file, scenarioLoadOptions(flags, { modules: 'inspect' }));
      const report = describeTopology(plan);
      if (report.regions !== undefined) {
        // A region underlay has no links: where the hosts are is the whole topology.
        const lines = [`${plan.name}: ${report.nodes} hosts in ${report.regions.length} regions (region underlay, no links)`, '', table(['region', 'hosts'], report.regions.map(([region, count]) => [region, count]))];
        return void process.stdout.write(lines.join('\n') + '\n');
      }
      const lines = [
        `${plan.name}: ${report.nodes} nodes${report.routers > 0 ? ` (${report.nodes - report.routers} hosts, ${report.routers} routers)` : ''}, ${report.links} links`,
        `degree: min ${report.degree.min}, mean ${Math.round(report.degree.mean * 100) / 100}, max ${report.degree.max}`,
        `connected components: ${report.components}${report.components > 1 ? ` (largest has ${report.largestComponent} nodes)` : ''}`,
        `diameter: ${report.isDiameterExact ? '' : '≥ '}${report.diameter} hops${report.components > 1 ? ' (largest component)' : ''}${report.isDiameterExact ? '' : ' (double-sweep bound; exact up to 3000 nodes)'}`,
        '',
        table(['degree', 'nodes'], report.degree.histogram.map(([degree, count]) => [degree, count])),
      ];
      if (flags.links === true) lines.push('', table(['a', 'b', 'latency a→b', 'loss a→b'], plan.links.map((link) => [link.a, link.b, `${link.ab.latencyMs}ms`, `${link.ab.lossProbability * 100}%`])));
      process.stdout.write(lines.join('\n') + '\n');
    });
}
