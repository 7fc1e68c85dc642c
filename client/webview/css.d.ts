// Stylesheets imported by the webview script are emitted by esbuild as dist/webview/main.css.
declare module '*.css';
