function __cube-bench_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cube-bench_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __cube-bench_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cube-bench_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __cube-bench_parse_tokens -S
    set -l unparsed_tokens (__cube-bench_tokens -pc)
    switch $unparsed_tokens[1]
    case 'cube-bench'
        __cube-bench_parse_subcommand -r 1 'array=' 'along=' 'points=' 'box=' 'window=' 'patterns=' 'repeat=' 'seed=' 'j/jobs=' 'warm' 'json' 'csv' 'q/quiet' 'suggest' 'shape=' 'dtype=' 'dims=' 'workload=' 'chunk-size=' 'max-objects=' 'top=' 'latency=' 'bandwidth=' 'trial' 'sample-size=' 'temp=' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __cube-bench_parse_subcommand -r 1 'version'
        end
    end
end

function __cube-bench_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __cube-bench_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __cube-bench_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __cube-bench_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__cube-bench_tokens -p)
    if test -z "$(__cube-bench_tokens -t)"
        set -l index (count (__cube-bench_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'cube-bench' -f
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_positional "cube-bench" -ge 1' -F
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" array' -l 'array' -d 'Only this array or variable (its path in the store or file).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" along' -l 'along' -d 'The series dimension (default: time, else the first).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" points' -l 'points' -d 'Random points per pattern.' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" box' -l 'box' -d 'Box lengths by dimension, such as lat=10,lon=10 (-1: the full length); default 10.' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" window' -l 'window' -d 'Length of the box along the series dimension (default 30, or the length).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" patterns' -l 'patterns' -d 'Patterns to measure: series, slice, box, scan, comma-separated, or all.' -rfka 'all series slice box scan'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" repeat' -l 'repeat' -d 'Timed repetitions per point.' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" seed' -l 'seed' -d 'Seed of the random points.' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" j jobs' -s 'j' -l 'jobs' -d 'Threads fetching and decoding the chunks of one read at once, as parallel clients do (default: all cores; 1 reads them one after another).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" warm' -l 'warm' -d 'Keep cached pages and make one untimed pass first (default: cold reads).'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" json' -l 'json' -d 'Print the results as JSON.'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" csv' -l 'csv' -d 'Print the measurements as CSV.'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" q quiet' -s 'q' -l 'quiet' -d 'No progress line on a terminal.'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" suggest' -l 'suggest' -d 'Rank chunk shapes for --workload instead of measuring.'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" shape' -l 'shape' -d 'With --suggest and no store: the array\'s shape, such as 2920,181,360.' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" dtype' -l 'dtype' -d 'With --suggest and no store: the data type (float32, int16, ...).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" dims' -l 'dims' -d 'With --suggest and no store: dimension names, such as time,lat,lon.' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" workload' -l 'workload' -d 'Pattern weights for --suggest, such as series=0.8,slice=0.2 (default series=1,slice=1).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" chunk-size' -l 'chunk-size' -d 'Largest chunk --suggest considers (default 4MiB).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" max-objects' -l 'max-objects' -d 'With --suggest: at most this many chunks in the array.' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" top' -l 'top' -d 'With --suggest: how many candidates to print (default 10).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" latency' -l 'latency' -d 'With --suggest: predicted latency per chunk in milliseconds (default 1).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" bandwidth' -l 'bandwidth' -d 'With --suggest: predicted bytes read and decoded per second (default 200MB).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" trial' -l 'trial' -d 'With --suggest: write a sample in the top 3 candidates, measure them, and delete them.'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" sample-size' -l 'sample-size' -d 'With --trial: the most array data written per candidate (default 64MiB).' -rfka ''
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" temp' -l 'temp' -d 'With --trial: directory for the trial stores (default: the system\'s temporary directory).' -rfa '(__cube-bench_complete_directories)'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" version' -l 'version' -d 'Show the version.'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_positional "cube-bench" -eq 2' -fa 'help' -d 'Show subcommand help information.'
complete -c 'cube-bench' -n '__cube-bench_should_offer_completions_for_flags_or_options "cube-bench help" version' -l 'version' -d 'Show the version.'
