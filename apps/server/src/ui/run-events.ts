/** One line for a task event in the live list: a title, a detail and a colour. */
export function describeEvent(event: { type: string; [key: string]: unknown }): {
  title: string;
  detail: string;
  tone: 'neutral' | 'good' | 'bad' | 'info';
} {
  const text = (value: unknown) =>
    typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  switch (event.type) {
    case 'status':
      return {
        title: `Status ${text(event.status)}${event.outcome ? ` · ${text(event.outcome)}` : ''}`,
        detail: '',
        tone: event.outcome === 'failed' ? 'bad' : event.outcome === 'success' ? 'good' : 'info',
      };
    case 'phase':
      return {
        title: `Phase ${text(event.phase)}`,
        detail: event.version ? `v${text(event.version)}` : '',
        tone: 'info',
      };
    case 'attempt':
      return {
        title: `${text(event.kind)} attempt ${text(event.attempt)}/${text(event.of)}`,
        detail: '',
        tone: 'info',
      };
    case 'agent-step':
      return {
        title: `Agent: ${text(event.tool)}`,
        detail: text(event.summary),
        tone: event.isError ? 'bad' : 'neutral',
      };
    case 'run-result':
      return {
        title: `${event.kind === 'saved' ? `Saved code${event.version ? ` v${text(event.version)}` : ''}` : 'Candidate'} ${event.ok ? 'succeeded' : 'failed'}`,
        detail: text(event.message),
        tone: event.ok ? 'good' : 'bad',
      };
    case 'log':
      return {
        title: `Log ${text(event.level)}`,
        detail: text(event.message),
        tone: event.level === 'error' ? 'bad' : 'neutral',
      };
    case 'cost':
      return {
        title: 'Cost',
        detail: `$${Number(event.aiUsd).toFixed(4)} after ${text(event.modelCalls)} model call(s)`,
        tone: 'neutral',
      };
    case 'model-call':
      return {
        title: `Model call ${text(event.modelId)}`,
        detail: `${text(event.inputTokens)} in / ${text(event.outputTokens)} out · ${text(event.stopReason)}`,
        tone: 'neutral',
      };
    case 'saved':
      return { title: `Saved v${text(event.version)}`, detail: text(event.reuseKey), tone: 'good' };
    case 'replay':
      return {
        title: `Replay ${event.ok ? 'passed' : 'failed'}`,
        detail: text(event.message),
        tone: event.ok ? 'good' : 'bad',
      };
    default:
      return { title: event.type, detail: '', tone: 'neutral' };
  }
}
