function __cube-info_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cube-info_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __cube-info_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cube-info_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __cube-info_parse_tokens -S
    set -l unparsed_tokens (__cube-info_tokens -pc)
    switch $unparsed_tokens[1]
    case 'cube-info'
        __cube-info_parse_subcommand 1 'along=' 'attrs' 'json' 'strict' 'verify' 'j/jobs=' 'max-mem=' 'q/quiet' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __cube-info_parse_subcommand -r 1 'version'
        end
    end
end

function __cube-info_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __cube-info_parse_subcommand -S -a positional_count
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

function __cube-info_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __cube-info_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__cube-info_tokens -p)
    if test -z "$(__cube-info_tokens -t)"
        set -l index (count (__cube-info_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'cube-info' -f
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_positional "cube-info" -eq 1' -F
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info" along' -l 'along' -d 'The dimension the access-pattern estimates run along.' -rfka ''
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info" attrs' -l 'attrs' -d 'Also print group and array attributes.'
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info" json' -l 'json' -d 'Print the report as JSON (attributes always included).'
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info" strict' -l 'strict' -d 'Exit with status 1 when any node or variable is unsupported (it is still marked and the rest reported).'
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info" verify' -l 'verify' -d 'Read and decode every chunk of every array instead of listing them, and report damaged chunks (see VERIFYING); exit with status 1 if any.'
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info" j jobs' -s 'j' -l 'jobs' -d 'Worker threads (default: all cores).' -rfka ''
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info" max-mem' -l 'max-mem' -d 'Memory budget for data in flight, such as 256MiB, 1GB or 512M; peak memory stays within it plus a fixed overhead.' -rfka ''
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info" q quiet' -s 'q' -l 'quiet' -d 'No progress bar or notes; errors only.'
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info" version' -l 'version' -d 'Show the version.'
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_positional "cube-info" -eq 2' -fa 'help' -d 'Show subcommand help information.'
complete -c 'cube-info' -n '__cube-info_should_offer_completions_for_flags_or_options "cube-info help" version' -l 'version' -d 'Show the version.'
