// Small DOM helpers for the console pages: elements built with textContent only (names come from users).

/** `h('button', {type: 'button', onclick}, 'Accept')`: an element with properties, attributes and children. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function $(selector, root = document) {
  const el = root.querySelector(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

/** `14:05:09` for an ISO time or a Date. */
export function clock(value) {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** `Tue 2 Dec, 14:05` for an ISO time. */
export function when(value) {
  const d = new Date(value);
  return Number.isNaN(d.getTime())
    ? ''
    : d.toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** A `<time>` element for an ISO instant. */
export function time(value, text = when(value)) {
  return h('time', { datetime: value }, text);
}

/** Runs `action` with the button disabled; reports failures through `onError`. */
export async function busy(button, action, onError) {
  button.disabled = true;
  try {
    return await action();
  } catch (e) {
    onError?.(e);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** Copies text, falling back to selecting it when the clipboard is not available. */
export async function copy(text, fallbackInput) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    fallbackInput?.select();
    return false;
  }
}
