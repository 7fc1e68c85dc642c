// Tile assignment (which chip holds which piece of a value) and step timelines: the data the
// Show Sharding view, the timeline chart and `shardlens show` / `timeline` draw.

export * from './tiles';
export * from './timeline';
