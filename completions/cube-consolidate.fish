function __cube-consolidate_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cube-consolidate_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __cube-consolidate_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cube-consolidate_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __cube-consolidate_parse_tokens -S
    set -l unparsed_tokens (__cube-consolidate_tokens -pc)
    switch $unparsed_tokens[1]
    case 'cube-consolidate'
        __cube-consolidate_parse_subcommand 1 'check' 'remove' 'json' 'q/quiet' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __cube-consolidate_parse_subcommand -r 1 'version'
        end
    end
end

function __cube-consolidate_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __cube-consolidate_parse_subcommand -S -a positional_count
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

function __cube-consolidate_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __cube-consolidate_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__cube-consolidate_tokens -p)
    if test -z "$(__cube-consolidate_tokens -t)"
        set -l index (count (__cube-consolidate_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'cube-consolidate' -f
complete -c 'cube-consolidate' -n '__cube-consolidate_should_offer_completions_for_positional "cube-consolidate" -eq 1' -fa '(__cube-consolidate_complete_directories)'
complete -c 'cube-consolidate' -n '__cube-consolidate_should_offer_completions_for_flags_or_options "cube-consolidate" check' -l 'check' -d 'Check that consolidated metadata is present and current; write nothing.'
complete -c 'cube-consolidate' -n '__cube-consolidate_should_offer_completions_for_flags_or_options "cube-consolidate" remove' -l 'remove' -d 'Remove the consolidated metadata.'
complete -c 'cube-consolidate' -n '__cube-consolidate_should_offer_completions_for_flags_or_options "cube-consolidate" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'cube-consolidate' -n '__cube-consolidate_should_offer_completions_for_flags_or_options "cube-consolidate" q quiet' -s 'q' -l 'quiet' -d 'Print nothing; the exit status tells (for scripts).'
complete -c 'cube-consolidate' -n '__cube-consolidate_should_offer_completions_for_flags_or_options "cube-consolidate" version' -l 'version' -d 'Show the version.'
complete -c 'cube-consolidate' -n '__cube-consolidate_should_offer_completions_for_flags_or_options "cube-consolidate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cube-consolidate' -n '__cube-consolidate_should_offer_completions_for_positional "cube-consolidate" -eq 2' -fa 'help' -d 'Show subcommand help information.'
complete -c 'cube-consolidate' -n '__cube-consolidate_should_offer_completions_for_flags_or_options "cube-consolidate help" version' -l 'version' -d 'Show the version.'
