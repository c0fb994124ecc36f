-- The recent blocks a BlockFollower has connected, newest last; enough of them to find the fork
-- point of any reorg it must follow. One row per (follower, height).
CREATE TABLE chain_follower_blocks (
  follower text NOT NULL,
  height integer NOT NULL CHECK (height >= 0),
  hash bytea NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (follower, height)
);
