// The identity graph as an SVG drawn here: the customer in the middle, its identities on the
// right (each saying which merged customer brought it), and on the left the tombstones merged
// into it (or into one another), linked to the customer they were merged into.
import type { CustomerDetail, MergeEvent } from '../api.ts';
import { displayName } from '../api.ts';

const ROW = 34;
const WIDTH = 640;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function IdentityGraph({ customer, events }: { customer: CustomerDetail; events: MergeEvent[] }) {
  const standing = events.filter((e) => !e.undoneAt);
  const tombstones = standing.map((e) => ({ id: e.sourceId, into: e.targetId, event: e }));
  const broughtBy = new Map<string, number>();
  for (const e of standing) for (const i of e.details.identities ?? []) broughtBy.set(`${i.type}:${i.value}`, e.sourceId);
  const rows = Math.max(tombstones.length, customer.identities.length, 1);
  const height = rows * ROW + 24;
  const center = { x: 300, y: height / 2 };
  const rowY = (i: number, n: number) => height / 2 + (i - (n - 1) / 2) * ROW;
  const tombY = new Map(tombstones.map((t, i) => [t.id, rowY(i, tombstones.length)]));

  return (
    <svg className="graph" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`Identity graph of customer ${customer.customerId}`}>
      {tombstones.map((t) => {
        const y = tombY.get(t.id)!;
        const intoY = t.into === customer.customerId ? center.y : tombY.get(t.into);
        const toX = t.into === customer.customerId ? center.x - 40 : 150;
        const path =
          intoY === undefined || t.into === customer.customerId
            ? `M150 ${y} C 210 ${y}, 220 ${center.y}, ${toX} ${center.y}`
            : `M150 ${y} C 185 ${y}, 185 ${intoY}, 150 ${intoY}`;
        return (
          <g key={`t${t.id}`} className="tombstone">
            <path d={path} className="edge merged" markerEnd="url(#arrow)" />
            <rect x={14} y={y - 13} width={136} height={26} rx={13} />
            <text x={82} y={y + 4} textAnchor="middle">
              #{t.id} merged
            </text>
            <title>{`#${t.id} merged into #${t.into} on ${new Date(t.event.createdAt).toLocaleString()}: ${t.event.reason}`}</title>
          </g>
        );
      })}
      {customer.identities.map((identity, i) => {
        const y = rowY(i, customer.identities.length);
        const from = broughtBy.get(`${identity.identityType}:${identity.identityValue}`);
        return (
          <g key={`i${identity.identityType}:${identity.identityValue}`} className={from ? 'identity moved' : 'identity'}>
            <path d={`M${center.x + 40} ${center.y} C 370 ${center.y}, 370 ${y}, 400 ${y}`} className="edge" />
            <rect x={400} y={y - 13} width={228} height={26} rx={5} />
            <text x={410} y={y + 4}>
              <tspan className="type">{identity.identityType}</tspan> {clip(identity.identityValue, from ? 16 : 22)}
              {from !== undefined && <tspan className="via"> via #{from}</tspan>}
            </text>
            <title>{`${identity.identityType}: ${identity.identityValue}${from ? ` (came with #${from})` : ''}`}</title>
          </g>
        );
      })}
      <g className="center">
        <circle cx={center.x} cy={center.y} r={40} />
        <text x={center.x} y={center.y - 2} textAnchor="middle">
          {clip(displayName(customer), 8)}
        </text>
        <text x={center.x} y={center.y + 14} textAnchor="middle" className="small">
          #{customer.customerId}
        </text>
      </g>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0 0 L10 5 L0 10 z" className="arrowhead" />
        </marker>
      </defs>
    </svg>
  );
}
