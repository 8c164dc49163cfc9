import { describe, expect, it } from 'vitest';
import { SHORTCUTS, isTypingTarget, shortcutAction } from './shortcuts';

const plain = { ctrlKey: false, metaKey: false, altKey: false };

describe('shortcutAction', () => {
  it('maps each listed key to its action', () => {
    for (const shortcut of SHORTCUTS) {
      for (const key of shortcut.keys) expect(shortcutAction({ ...plain, key })).toBe(shortcut.action);
    }
  });

  it('gives every action one entry', () => {
    const actions = SHORTCUTS.map((shortcut) => shortcut.action);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('reads upper-case letters as their key', () => {
    expect(shortcutAction({ ...plain, key: 'P' })).toBe('trainOrPause');
  });

  it('leaves modified presses to the browser', () => {
    expect(shortcutAction({ ...plain, key: 'p', ctrlKey: true })).toBeNull();
    expect(shortcutAction({ ...plain, key: 'l', metaKey: true })).toBeNull();
    expect(shortcutAction({ ...plain, key: 'f', altKey: true })).toBeNull();
  });

  it('ignores unlisted keys', () => {
    expect(shortcutAction({ ...plain, key: 'x' })).toBeNull();
    expect(shortcutAction({ ...plain, key: 'Enter' })).toBeNull();
    expect(shortcutAction({ ...plain, key: ' ' })).toBeNull();
  });
});

describe('isTypingTarget', () => {
  it('is true for form fields', () => {
    for (const tagName of ['INPUT', 'SELECT', 'TEXTAREA', 'input']) expect(isTypingTarget({ tagName })).toBe(true);
  });

  it('is false for inputs that take no text', () => {
    for (const type of ['checkbox', 'radio', 'range', 'file', 'button']) expect(isTypingTarget({ tagName: 'INPUT', type })).toBe(false);
    for (const type of ['text', 'number', 'search', '']) expect(isTypingTarget({ tagName: 'INPUT', type })).toBe(true);
  });

  it('is true for editable text', () => {
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: true })).toBe(true);
  });

  it('is false for buttons, sections and nothing', () => {
    expect(isTypingTarget({ tagName: 'BUTTON' })).toBe(false);
    expect(isTypingTarget({ tagName: 'SECTION', isContentEditable: false })).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
