<?php
// /etc/wordpress/config-@@CONFIG@@.php, read by Debian's wp-config.php (nginx passes
// WORDPRESS_CONFIG=@@CONFIG@@). Written by bench/peers.py, removed when it stops.
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', '@@DB_PASSWORD@@');
define('DB_HOST', '127.0.0.1:@@DB_PORT@@');
define('WP_HOME', 'http://127.0.0.1:@@PORT@@');
define('WP_SITEURL', 'http://127.0.0.1:@@PORT@@');
define('WP_CONTENT_DIR', '@@CONTENT@@');
define('WP_CONTENT_URL', 'http://127.0.0.1:@@PORT@@/wp-content');
// Cron from the system rather than on page views, as production sites run it.
define('DISABLE_WP_CRON', true);
// Nothing leaves the machine: no update checks, no pings.
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
@@SALTS@@
