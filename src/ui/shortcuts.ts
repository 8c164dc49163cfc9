/** The page's keyboard shortcuts: which key does what, and when a key press is left to the focused control. */

export type ShortcutAction =
  | 'trainOrPause'
  | 'step'
  | 'nextGame'
  | 'previousGame'
  | 'toggleSettings'
  | 'toggleCharts'
  | 'toggleInspector'
  | 'toggleExplorer'
  | 'fullscreen'
  | 'toggleLectureMode'
  | 'help';

export interface Shortcut {
  /** `KeyboardEvent.key` values that trigger the action. */
  keys: readonly string[];
  action: ShortcutAction;
  /** Description of the action, for the help overlay. */
  description: string;
}

/** Every shortcut, in the order the help overlay lists them. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['p'], action: 'trainOrPause', description: 'Train, pause or resume' },
  { keys: ['s'], action: 'step', description: 'Train one batch while paused' },
  { keys: ['j'], action: 'nextGame', description: 'Next game in the message inspector' },
  { keys: ['k'], action: 'previousGame', description: 'Previous game in the message inspector' },
  { keys: ['1'], action: 'toggleSettings', description: 'Show or hide the settings' },
  { keys: ['2'], action: 'toggleCharts', description: 'Show or hide the charts' },
  { keys: ['3'], action: 'toggleInspector', description: 'Show or hide the message inspector' },
  { keys: ['4'], action: 'toggleExplorer', description: 'Show or hide the vocabulary explorer' },
  { keys: ['f'], action: 'fullscreen', description: 'Full screen for the panel with the focus (the charts otherwise), or back' },
  { keys: ['l'], action: 'toggleLectureMode', description: 'Lecture mode on or off' },
  { keys: ['?'], action: 'help', description: 'Show the keyboard shortcuts' },
];

/** The fields of a `KeyboardEvent` that decide its shortcut. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** The fields of an element that decide whether typing goes into it. */
export interface FocusTarget {
  tagName?: string;
  isContentEditable?: boolean;
  /** The `type` of an input element. */
  type?: string;
}

const TYPING_TAGS: ReadonlySet<string> = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

/** Input types that take no typed characters, so letters pressed on them stay shortcuts. */
const NON_TEXT_INPUT_TYPES: ReadonlySet<string> = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** Returns whether key presses on `target` belong to it: a text field, a list or editable text. */
export function isTypingTarget(target: FocusTarget | null): boolean {
  if (target === null) return false;
  const tagName = (target.tagName ?? '').toUpperCase();
  if (tagName === 'INPUT' && NON_TEXT_INPUT_TYPES.has((target.type ?? '').toLowerCase())) return false;
  return TYPING_TAGS.has(tagName) || target.isContentEditable === true;
}

/**
 * Returns the action of a key press, or null when it has none. Presses with Ctrl, Meta or Alt
 * are left to the browser; Shift is allowed because some layouts need it for `?`.
 */
export function shortcutAction(press: KeyPress): ShortcutAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  return SHORTCUTS.find((shortcut) => shortcut.keys.includes(key))?.action ?? null;
}
