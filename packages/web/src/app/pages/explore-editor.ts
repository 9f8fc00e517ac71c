/**
 * The PromQL editor of Explore: CodeMirror with `@prometheus-io/codemirror-promql`
 * (highlighting, linting, completion of metric names, labels and values from the API).
 * Loaded on demand — it is most of the bundle and only Explore needs it.
 */
import { EditorView, keymap, placeholder, drawSelection } from '@codemirror/view';
import { EditorState } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { autocompletion, closeBrackets, completionKeymap } from '@codemirror/autocomplete';
import { bracketMatching, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';

/** An editor on the page. */
export interface QueryEditor {
  value(): string;
  focus(): void;
  destroy(): void;
}

/**
 * Replaces `parent`'s content with a PromQL editor; Ctrl/Cmd-Enter (or Enter) runs.
 *
 * @example const ed = createEditor(box, 'up', (q) => run(q));
 */
export function createEditor(
  parent: HTMLElement,
  initial: string,
  onRun: (query: string) => void,
): QueryEditor {
  const promql = new PromQLExtension()
    .activateCompletion(true)
    .activateLinter(true)
    .setComplete({ remote: { url: '', httpMethod: 'GET', cache: { initialMetricList: [] } } });
  const run = (v: EditorView): boolean => {
    onRun(v.state.doc.toString());
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: initial,
      extensions: [
        history(),
        drawSelection(),
        closeBrackets(),
        bracketMatching(),
        autocompletion(),
        syntaxHighlighting(defaultHighlightStyle),
        placeholder('PromQL, e.g. sum by (instance) (rate(relay_gossip_messages_total[5m]))'),
        EditorView.lineWrapping,
        keymap.of([
          { key: 'Mod-Enter', run },
          { key: 'Enter', run },
          ...completionKeymap,
          ...defaultKeymap,
          ...historyKeymap,
        ]),
        promql.asExtension(),
      ],
    }),
  });
  return {
    value: () => view.state.doc.toString(),
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
