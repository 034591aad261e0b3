<?php
/*
 * Plugin Name: Bench comments
 * Description: Lets the peers bench post many comments from one address: WordPress's flood
 * check (one comment per 15 s per address) is off. Nothing else changes.
 */
add_filter('wp_is_comment_flood', '__return_false', 99);
remove_action('check_comment_flood', 'check_comment_flood_db');
