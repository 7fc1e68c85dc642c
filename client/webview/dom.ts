// The DOM pieces both webviews build from (render.ts for Compare Layouts, chartRender.ts for the
// search charts): elements made with createElement and textContent only, so that layout, model
// and file names stay data and never go through innerHTML, and the chart card and status line
// whose classes the two stylesheets and the UI tests share.

export function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function button(doc: Document, label: string, className: string, onClick: () => void, title?: string): HTMLButtonElement {
  const b = el(doc, 'button', className, label);
  b.type = 'button';
  if (title) b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

/** The loading or error line at the top of the view, made on first use; what is shown below it stays. */
export function statusLine(root: HTMLElement, state: string): HTMLElement {
  let status = root.querySelector<HTMLElement>('.status');
  if (!status) {
    status = el(root.ownerDocument, 'p', 'status');
    root.prepend(status);
  }
  status.dataset.state = state;
  return status;
}

/**
 * One chart's card: a `chart-card` section tagged with the chart's id, a `chart-bar` with its
 * title (the caller may add to the bar), and the element ECharts draws into.
 */
export function chartCard(doc: Document, id: string, title: string): { card: HTMLElement; bar: HTMLElement; container: HTMLElement } {
  const card = el(doc, 'section', 'chart-card');
  card.dataset.chart = id;
  const bar = el(doc, 'div', 'chart-bar');
  bar.append(el(doc, 'h2', undefined, title));
  const container = el(doc, 'div', `chart chart-${id}`);
  card.append(bar, container);
  return { card, bar, container };
}
