/** One line of `CLUSTER NODES`, as seen by one node. */
export interface ClusterNodeView {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** Flagged `fail` or `fail?` by the node that answered. */
  failing: boolean;
  /** Id of its master, for a replica. */
  masterId: string | undefined;
  /** Slot ranges it serves, inclusive, e.g. `[[0, 5460]]`. */
  slots: [number, number][];
}

/**
 * Parses `CLUSTER NODES`:
 * `<id> <ip:port@cport> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot> ...`.
 * Slots being migrated (`[1234->-id]`) are left out.
 */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , , ...slots] = line.trim().split(' ');
      const flagList = flags.split(',');
      return {
        id,
        port: Number(address.split('@')[0]!.split(':').pop()),
        role: flagList.includes('master') ? 'master' : 'replica',
        failing: flagList.includes('fail') || flagList.includes('fail?'),
        masterId: master === '-' ? undefined : master,
        slots: slots
          .filter((slot) => !slot.startsWith('['))
          .map((slot) => {
            const [from, to = from] = slot.split('-');
            return [Number(from), Number(to)] as [number, number];
          }),
      };
    });
}

/** The node that serves `slot`, in one node's view. */
export function ownerOfSlot(view: readonly ClusterNodeView[], slot: number): ClusterNodeView | undefined {
  return view.find(
    (node) => node.role === 'master' && node.slots.some(([from, to]) => slot >= from && slot <= to),
  );
}

/**
 * Who is who, as one node sees it: every node not failing, its role, and what it serves (a
 * master's slots, a replica's master). Equal on nodes that agree on the whole topology; a
 * replica still shown as an empty master during the join keeps them apart.
 */
export function viewSignature(view: readonly ClusterNodeView[]): string {
  const portOf = new Map(view.map((node) => [node.id, node.port]));
  return view
    .filter((node) => !node.failing)
    .map((node) =>
      node.role === 'master'
        ? `${node.port}:master:${node.slots.map((range) => range.join('-')).join(',')}`
        : `${node.port}:replica-of:${portOf.get(node.masterId ?? '') ?? '?'}`,
    )
    .sort()
    .join(' ');
}
