<?php
/*
 * The peers bench's WordPress content, through WordPress's own functions (as an import plugin
 * or WP-CLI would write it). Run by bench/peer_sites/wordpress.py with WORDPRESS_CONFIG set:
 *
 *   php seed.php install site.json   installs the site and loads the reference article
 *   php seed.php posts posts.jsonl    adds generated posts
 *   php seed.php newest 20            ids of the newest posts (JSON)
 *   php seed.php comments "Bench reader"   how many comments that name posted
 */
$_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$command = $argv[1] ?? '';
if ($command === 'install') {
    define('WP_INSTALLING', true);
}
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';
require_once ABSPATH . 'wp-admin/includes/image.php';

function bench_author(array $post): int {
    static $ids = [];
    $login = sanitize_user(sanitize_title($post['author']), true);
    if (isset($ids[$login])) {
        return $ids[$login];
    }
    $user = get_user_by('login', $login);
    $ids[$login] = $user ? $user->ID : wp_insert_user([
        'user_login' => $login,
        'user_email' => $post['email'] ?: "$login@newsroom.example",
        'display_name' => $post['author'],
        'nickname' => $post['author'],
        'role' => 'author',
        'user_pass' => wp_generate_password(24),
    ]);
    return $ids[$login];
}

function bench_category(string $name): int {
    static $ids = [];
    if (!isset($ids[$name])) {
        $term = term_exists($name, 'category') ?: wp_insert_term($name, 'category');
        $ids[$name] = (int) $term['term_id'];
    }
    return $ids[$name];
}

function bench_paragraph(string $text): string {
    return "<!-- wp:paragraph -->\n<p>" . esc_html($text) . "</p>\n<!-- /wp:paragraph -->\n\n";
}

function bench_image_block(int $id): string {
    $url = wp_get_attachment_image_url($id, 'large');
    $caption = esc_html(wp_get_attachment_caption($id));
    return "<!-- wp:image {\"id\":$id,\"sizeSlug\":\"large\",\"linkDestination\":\"none\"} -->\n"
        . "<figure class=\"wp-block-image size-large\"><img src=\"$url\" alt=\"\" class=\"wp-image-$id\"/>"
        . "<figcaption class=\"wp-element-caption\">$caption</figcaption></figure>\n<!-- /wp:image -->\n\n";
}

function bench_insert(array $post, array $images = []): int {
    $content = '';
    foreach ($post['paragraphs'] as $number => $paragraph) {
        $content .= bench_paragraph($paragraph);
        foreach ($images[$number + 1] ?? [] as $id) {
            $content .= bench_image_block($id);
        }
    }
    $date = gmdate('Y-m-d H:i:s', strtotime($post['published']));
    $id = wp_insert_post([
        'post_title' => $post['headline'],
        'post_name' => $post['slug'],
        'post_content' => $content,
        'post_status' => 'publish',
        'post_type' => 'post',
        'post_author' => bench_author($post),
        'post_category' => [bench_category($post['section'])],
        'post_date' => get_date_from_gmt($date),
        'post_date_gmt' => $date,
        'comment_status' => 'open',
    ], true);
    if (is_wp_error($id)) {
        fwrite(STDERR, $id->get_error_message() . "\n");
        exit(1);
    }
    return $id;
}

function bench_picture(string $path, string $title, ?string $credit): int {
    $copy = wp_tempnam(basename($path));
    copy($path, $copy);
    $id = media_handle_sideload(
        ['name' => basename($path), 'tmp_name' => $copy], 0, $title,
        ['post_excerpt' => $credit ?? '']
    );
    if (is_wp_error($id)) {
        fwrite(STDERR, $id->get_error_message() . "\n");
        exit(1);
    }
    return $id;
}

switch ($command) {
case 'install':
    $site = json_decode(file_get_contents($argv[2]), true);
    wp_install($site['title'], 'admin', 'admin@example.com', true, '', $site['admin_password']);
    wp_set_current_user(1);
    foreach (get_posts(['post_type' => 'any', 'post_status' => 'any', 'numberposts' => -1]) as $old) {
        wp_delete_post($old->ID, true);  // "Hello world!" and the sample page
    }
    global $wp_rewrite;
    $wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
    update_option('blogdescription', 'The peers bench');
    switch_theme('twentytwentyone');
    $reference = $site['reference'];
    $article = $reference['article'];
    // The footer widget area of Twenty Twenty-One: the section's latest stories and the
    // latest comments, as block widgets.
    $section = bench_category($article['section']);
    update_option('widget_block', [
        2 => ['content' => '<!-- wp:heading --><h2>Latest stories</h2><!-- /wp:heading -->'],
        3 => ['content' => '<!-- wp:latest-posts {"categories":[{"id":' . $section . '}],"postsToShow":6} /-->'],
        4 => ['content' => '<!-- wp:latest-comments {"commentsToShow":5,"displayExcerpt":true} /-->'],
        '_multiwidget' => 1,
    ]);
    update_option('sidebars_widgets', [
        'wp_inactive_widgets' => [],
        'sidebar-1' => ['block-2', 'block-3', 'block-4'],
        'array_version' => 3,
    ]);
    foreach (array_reverse($reference['latest']) as $teaser) {
        bench_insert($teaser);
    }
    $lead = bench_picture($site['pictures'][0], 'Lead picture', $article['lead_credit']);
    $images = [];
    foreach ($article['images'] as [$credit, $after]) {
        $images[$after][] = bench_picture($site['pictures'][1], 'Picture', $credit);
    }
    $id = bench_insert($article, $images);
    set_post_thumbnail($id, $lead);
    foreach ($article['comments'] as $position => $text) {
        wp_insert_comment([
            'comment_post_ID' => $id,
            'comment_author' => 'Reader',
            'comment_content' => $text,
            'comment_approved' => 1,
            'comment_date_gmt' => gmdate('Y-m-d H:i:s', strtotime($article['published']) + 60 + $position),
            'comment_date' => get_date_from_gmt(gmdate('Y-m-d H:i:s', strtotime($article['published']) + 60 + $position)),
        ]);
    }
    flush_rewrite_rules(false);
    echo json_encode(['id' => $id, 'url' => get_permalink($id)]), "\n";
    break;
case 'posts':
    wp_set_current_user(1);
    wp_defer_term_counting(true);
    wp_suspend_cache_invalidation(true);
    global $wpdb;
    $count = 0;
    // A transaction per 500 posts, as importers do: not a log flush per row.
    $wpdb->query('START TRANSACTION');
    foreach (new SplFileObject($argv[2]) as $line) {
        if (trim($line) !== '') {
            bench_insert(json_decode($line, true));
            if (++$count % 500 === 0) {
                $wpdb->query('COMMIT');
                $wpdb->query('START TRANSACTION');
            }
        }
    }
    $wpdb->query('COMMIT');
    wp_suspend_cache_invalidation(false);
    wp_defer_term_counting(false);
    echo json_encode(['posts' => $count]), "\n";
    break;
case 'newest':
    echo json_encode(get_posts(['numberposts' => (int) $argv[2], 'fields' => 'ids'])), "\n";
    break;
case 'comments':
    global $wpdb;
    echo (int) $wpdb->get_var($wpdb->prepare(
        "SELECT COUNT(*) FROM $wpdb->comments WHERE comment_author = %s", $argv[2]
    )), "\n";
    break;
default:
    fwrite(STDERR, "usage: seed.php install|posts|newest|comments ...\n");
    exit(2);
}
